"""The cases screen."""
