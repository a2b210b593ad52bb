# git-parallel built-in tmux layout "rows": every agent a pane of one window, stacked.
windows  single
arrange  even-vertical
