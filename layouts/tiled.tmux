# git-parallel built-in tmux layout "tiled": every agent a pane of one window, in a grid.
# Settings: windows, arrange, option (see src/core/tmux-layout.ts and the README).
windows  single
arrange  tiled
