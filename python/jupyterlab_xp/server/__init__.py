"""The Jupyter server extension.

The app, its REST handlers, and the pydantic request and response models. Never imports kernel
code.
"""
