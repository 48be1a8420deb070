"""The members' ballot site, a Flask application apart from Fava (see :mod:`.app`)."""

from reports.ballot_site.app import create_app

__all__ = ["create_app"]
