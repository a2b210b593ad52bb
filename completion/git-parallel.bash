# bash completion for git parallel. Add to ~/.bashrc:  eval "$(git parallel completion bash)"
# git's own completion (git-completion.bash) calls _git_parallel for "git parallel <TAB>";
# "git-parallel <TAB>" is completed too. The words come from "git parallel __complete", which
# answers from the same command definitions the parser uses, and from the runs of the repository.

_git_parallel() {
	# git-completion.bash sets words, cword and cur; __git_cmd_idx is where "parallel" is.
	local start i list
	if [[ -n ${__git_cmd_idx-} ]]; then
		start=$((__git_cmd_idx + 1))
	else
		start=$cword
		for ((i = 1; i < cword; i++)); do
			if [[ ${words[i]} == parallel ]]; then start=$((i + 1)); break; fi
		done
	fi
	if declare -F __git >/dev/null; then
		# __git keeps "git -C <dir>" and --git-dir, so the runs are those of that repository.
		list=$(__git parallel __complete -- "${words[@]:start:cword-start}" "$cur")
	else
		list=$(git parallel __complete -- "${words[@]:start:cword-start}" "$cur" 2>/dev/null)
	fi
	__gitcomp_nl "$list"
}

_git_parallel_command() {
	local cur=${COMP_WORDS[COMP_CWORD]} IFS=$'\n'
	COMPREPLY=($(compgen -W "$(git-parallel __complete -- "${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null)" -- "$cur"))
}

complete -o bashdefault -o default -F _git_parallel_command git-parallel
