"""The shared kernel: what every package may import and that imports none of them.

Error categories (``kernel.errors``), the clock's interface (``kernel.clock``) and the
load -> decide -> save -> retry loop of a command (``kernel.commands``).
"""
