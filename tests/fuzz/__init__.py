"""Fuzzing kept in the suite: mutants of the test fixtures against every reader and the analysis.

    python -m tests.fuzz --minutes 10 [--seed S] [--out DIR]

``cases`` builds inputs, ``mutate`` damages bytes, ``worker`` runs them in a capped subprocess,
``runner`` classifies and keeps one input per failure class, ``known`` lists the classes and
hostile fixtures not fixed yet. tests/test_fuzz.py runs a fixed number of executions in CI.
"""
