// Ranking with buttons (keyboard) and by dragging (mouse, touch), on top of the
// plain form: the <select> boxes stay the form's fields and this script only sets
// them, so the page works the same without JavaScript.
(function () {
  "use strict";
  const form = document.getElementById("ballot-form");
  if (!form) return;
  const selects = Array.from(form.querySelectorAll("select[name=rank]"));
  const proposals = Array.from(document.querySelectorAll("#proposals .proposal"));
  const titles = {};
  proposals.forEach((item) => { titles[item.dataset.id] = item.querySelector("h3").textContent; });
  let ranking = selects.map((s) => s.value).filter((v) => v);

  const fieldset = document.getElementById("ranks");
  fieldset.hidden = true;
  const box = document.createElement("section");
  box.setAttribute("aria-labelledby", "ranking-heading");
  box.innerHTML = '<h2 id="ranking-heading">Your ranking</h2>' +
    '<p class="hint">Add proposals, then order them with the buttons or by dragging. ' +
    'At most ' + selects.length + '.</p><ol id="ranking" class="ranking"></ol>' +
    '<p id="announce" class="visually-hidden" aria-live="polite"></p>';
  form.insertBefore(box, fieldset);
  const list = box.querySelector("#ranking");
  const announce = box.querySelector("#announce");

  function button(label, id, action) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.id = id;
    b.addEventListener("click", action);
    return b;
  }

  function say(text) { announce.textContent = text; }

  function move(id, by) {
    const at = ranking.indexOf(id);
    const to = at + by;
    if (to < 0 || to >= ranking.length) return;
    ranking.splice(at, 1);
    ranking.splice(to, 0, id);
    render(id + "-" + (by < 0 ? "up" : "down"));
    say(titles[id] + " is now choice " + (to + 1));
  }

  function render(focus) {
    selects.forEach((select, i) => { select.value = ranking[i] || ""; });
    list.replaceChildren();
    ranking.forEach((id, i) => {
      const li = document.createElement("li");
      li.className = "ranked";
      li.dataset.id = id;
      li.id = "ranked-" + id;
      const handle = document.createElement("span");
      handle.className = "handle";
      handle.textContent = "\u2630";
      handle.setAttribute("aria-hidden", "true");
      const label = document.createElement("span");
      label.className = "label";
      label.textContent = (i + 1) + ". " + titles[id];
      li.append(handle, label,
        button("Up", id + "-up", () => move(id, -1)),
        button("Down", id + "-down", () => move(id, 1)),
        button("Remove", id + "-remove", () => {
          ranking = ranking.filter((r) => r !== id);
          render();
          say(titles[id] + " removed from your ranking");
        }));
      li.addEventListener("pointerdown", (event) => startDrag(event, li));
      list.append(li);
    });
    proposals.forEach((item) => {
      let add = item.querySelector("button.add");
      if (!add) {
        add = button("Add to my ranking", "add-" + item.dataset.id, () => {
          if (ranking.length >= selects.length || ranking.includes(item.dataset.id)) return;
          ranking.push(item.dataset.id);
          render();
          say(titles[item.dataset.id] + " added as choice " + ranking.length);
        });
        add.className = "add";
        item.append(add);
      }
      add.disabled = ranking.includes(item.dataset.id) || ranking.length >= selects.length;
    });
    if (focus) {
      const again = document.getElementById(focus);
      if (again) again.focus();
    }
  }

  function startDrag(event, item) {
    if (event.target.tagName === "BUTTON") return;
    event.preventDefault();
    item.classList.add("dragging");
    const id = item.dataset.id;
    function over(e) {
      const others = Array.from(list.children).filter((li) => li !== item);
      const after = others.find((li) => {
        const box = li.getBoundingClientRect();
        return e.clientY < box.top + box.height / 2;
      });
      list.insertBefore(item, after || null);
    }
    function drop() {
      document.removeEventListener("pointermove", over);
      document.removeEventListener("pointerup", drop);
      item.classList.remove("dragging");
      ranking = Array.from(list.children).map((li) => li.dataset.id);
      render();
      say(titles[id] + " is now choice " + (ranking.indexOf(id) + 1));
    }
    document.addEventListener("pointermove", over);
    document.addEventListener("pointerup", drop);
  }

  render();
})();
