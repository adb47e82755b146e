"""The course's tests; a package so that they import the offline hub as ``tests.offline_hub``."""
