# git-parallel built-in tmux layout "tabs": one window per agent, named <task>-<n>.
windows  per-agent
arrange  tiled
