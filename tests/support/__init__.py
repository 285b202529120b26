"""Helpers the tests share (not tests themselves): paths, running the real CLI, building warehouses, the
independent cost oracle."""
