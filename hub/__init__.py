"""Mahalla Hub core: the unified mahalla graph and everything that reads or builds it."""
