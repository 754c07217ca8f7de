# A package, so this folder's conftest.py doesn't shadow tests/conftest.py as `conftest`.
