"""The offline hub: stand-ins for everything the notebooks download, built for the offline test run.

Build it with ``python -m tests.offline_hub.build --out build/offline-hub`` (see README.md).
"""
