"""Prices: the model-name rules shared with the SQL (`model_names`), the price seeds (`seeds`) and the LiteLLM
catalog import (`litellm`)."""
