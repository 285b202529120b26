"""Adapters: map foreign record shapes (provider usage objects, OTel spans, gateway logs) onto the raw contract."""
