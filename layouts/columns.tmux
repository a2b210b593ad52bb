# git-parallel built-in tmux layout "columns": every agent a pane of one window, side by side.
windows  single
arrange  even-horizontal
