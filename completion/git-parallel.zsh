#compdef git-parallel
#description run N coding agents on one prompt, keep the best
# zsh completion for git parallel. Add to ~/.zshrc, after compinit:  eval "$(git parallel completion zsh)"
# (or save this file as _git-parallel in a folder of $fpath).
# zsh's own git completion (_git) calls _git-parallel for "git parallel <TAB>", with words starting at
# "parallel"; the user-commands style below adds parallel to what "git <TAB>" offers.

_git-parallel() {
	local -a candidates
	candidates=(${(f)"$(git-parallel __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)"})
	compadd -a candidates
}

() {
	local -a user_commands
	zstyle -a ':completion:*:*:git:*' user-commands user_commands
	if (( ! ${user_commands[(I)parallel:*]} )); then
		zstyle ':completion:*:*:git:*' user-commands $user_commands \
			'parallel:run N coding agents on one prompt, keep the best'
	fi
}

compdef _git-parallel git-parallel
