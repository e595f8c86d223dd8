"""What users read outside the panel.

The ``jupyter xp`` command line, its text renderings, and the ipywidgets views.
"""
