import type { CompareReport } from '../core/compare-report.js';
import { unseenText } from '../core/review-verdict.js';
import { escapeHtml } from './html-escape.js';
import { reviewerCost } from './review-text.js';

/**
 * The HTML report's review section: the stored verdict un-blinded — "recommended: N" and the reasons,
 * each candidate's score, place and Borda points with its strengths, defects and risks, every
 * reviewer's own ranking, their disagreements, and what the budget kept from them. Empty without one.
 */
export function reviewSection(report: CompareReport): string {
  const review = report.review;
  if (!review) return '';
  const name = new Map(report.candidates.map((c) => [c.n, c.name]));
  const list = (items: string[], cls: string) =>
    items.length === 0
      ? ''
      : `<ul class="${cls}">${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
  const rows = review.ranking.map((n, i) => {
    const c = review.candidates.find((x) => x.number === n);
    return `<tr data-review-candidate="${n}">
<td class="num">${i + 1}</td>
<td class="num">${n}</td>
<td><a href="#candidate-${n}">${escapeHtml(name.get(n) ?? String(n))}</a></td>
<td class="num">${c ? escapeHtml(String(c.score)) : '–'}</td>
<td class="num">${escapeHtml(String(review.points[String(n)] ?? 0))}</td>
<td>${c ? `${list(c.strengths, 'strengths')}${list(c.defects, 'defects')}${list(c.risks, 'risks')}` : ''}</td>
</tr>`;
  });
  const reviewers = review.reviewers
    .map(
      (r) =>
        `<li><strong>${escapeHtml(r.agent)}</strong>: ${escapeHtml(r.ranking.join(' > '))}${
          r.attempts > 1 ? ' <span class="muted">(answered on its retry)</span>' : ''
        }${r.cost ? ` <span class="cost">· cost ${escapeHtml(reviewerCost(r.cost))}</span>` : ''}</li>`,
    )
    .join('\n');
  const disagreements =
    review.disagreements.length === 0
      ? ''
      : `<p>Reviewers disagree:</p>\n<ul class="disagreements">${review.disagreements
          .map((d) => `<li>${escapeHtml(d.text)}</li>`)
          .join('')}</ul>`;
  return `<section id="review">
<h2>Review</h2>
<p class="recommended"><strong>recommended: ${review.recommended}</strong> (${escapeHtml(name.get(review.recommended) ?? '')}) · reviewed blind by ${escapeHtml(review.reviewers.map((r) => r.agent).join(', '))}${
    review.reviewers.length > 1 ? ', combined by Borda count' : ''
  } · ${escapeHtml(review.reviewedAt)}</p>${
    review.current
      ? ''
      : '\n<p class="warning">stale: candidates changed since this review; git parallel review runs it again.</p>'
  }
<div class="reasons">${review.reasons
    .split('\n')
    .map((line) => `<p>${escapeHtml(line)}</p>`)
    .join('')}</div>
<table class="summary">
<thead><tr><th>Place</th><th>N</th><th>Candidate</th><th>Score</th><th>Borda points</th><th>Strengths, defects, risks</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<p>A synthesis would beat the best: <strong>${review.synthesis.wouldBeatBest ? 'yes' : 'no'}</strong> — ${escapeHtml(review.synthesis.reason)}</p>
<p>Each reviewer's ranking and what its turns cost:</p>
<ul class="reviewers">${reviewers}</ul>
${disagreements}
<p class="muted">${escapeHtml(unseenText(review.unseen))}</p>
</section>`;
}
