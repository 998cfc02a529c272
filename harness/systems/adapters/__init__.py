"""Adapters that make outside systems triage systems: a subprocess, an HTTP service, LLM APIs.

Each module holds one kind and a ``from_spec(spec, settings)`` factory registered in
``backtriage.harness.systems.registry``. The networked ones import httpx lazily, so the core
harness runs without it.
"""
