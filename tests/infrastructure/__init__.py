"""Tests of the per-customer stacks (infrastructure/)."""
