"""Where weights come from: the catalog, pip-packaged models and local files -> a verified file on disk."""
