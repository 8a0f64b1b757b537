"""The Textual shell: a thin interactive view over the core's analysis, fixes and git operations."""
