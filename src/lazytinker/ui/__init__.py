"""The Textual app: screens, panes, modals and commands. It talks only to the store."""
