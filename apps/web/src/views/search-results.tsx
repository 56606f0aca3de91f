import type { SearchState } from '../state/inbox-store.js';
import { listTime } from './format.js';

/**
 * The messages the search box found (the API's full-text search): a list "Messages found", each
 * result a link to its conversation at that message — the subject, the sender, the time and a
 * snippet whose matches are marked. Snippet segments are rendered as text (`<mark>` around the
 * matches), never as HTML.
 */
export function SearchResults(props: {
  readonly search: SearchState;
  readonly hrefOf: (conversationId: string) => string;
  readonly onOpen: (conversationId: string, messageId: string, seq: number) => void;
  readonly onMore: () => void;
}) {
  const { search } = props;
  return (
    <section class="search-results" aria-labelledby="search-results-title">
      <h2 id="search-results-title">Messages</h2>
      {search.problem ? (
        <p class="problems" role="alert">
          {search.problem}
        </p>
      ) : null}
      <p class="meta" role="status">
        {search.loading
          ? 'Searching…'
          : search.problem === null && search.results.length === 0
            ? 'No message matches.'
            : ''}
      </p>
      {search.results.length > 0 ? (
        <ul class="results" aria-label="Messages found">
          {search.results.map((result) => (
            <li key={result.message.id}>
              <a
                href={props.hrefOf(result.conversation.id)}
                onClick={(event) => {
                  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
                  event.preventDefault();
                  props.onOpen(result.conversation.id, result.message.id, result.message.seq);
                }}
              >
                <span class="line">
                  <span class="subject">{result.conversation.subject}</span>
                  <span class="when">{listTime(result.message.created_at)}</span>
                </span>
                <span class="who">{result.message.sender_name}</span>
                <span class="snippet">
                  {result.snippet.map((segment, index) =>
                    segment.highlight ? <mark key={index}>{segment.text}</mark> : segment.text,
                  )}
                </span>
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      {search.nextCursor ? (
        <button type="button" class="more" onClick={props.onMore}>
          More messages
        </button>
      ) : null}
    </section>
  );
}
