"""Widgets of the main screen: revision tree, problems panel, detail pane, history pane."""
