"""Benchmarks: Beancount's load with and without the rent plugin, and Fava's pages."""
