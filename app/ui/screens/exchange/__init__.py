"""The Exchange wing of the desktop: the screen, its import queue and watched folder, its item
models, and the enrol and conflict dialogs."""
