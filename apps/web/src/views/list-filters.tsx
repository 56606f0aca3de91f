import type { Ref } from 'preact';
import type { InboxRole } from '../session/inbox-role.js';
import type { ListFilters } from '../state/inbox-port.js';

/**
 * The list's filters: a search box (the loaded conversations by subject, people and last message
 * at once, then the API's `q` filter and full-text message search; `/` focuses it), the inbox or
 * the archived conversations, with whom (the role's conversation types) and open or closed.
 */
export function ListFilterBar(props: {
  readonly role: InboxRole;
  readonly filters: ListFilters;
  readonly onChange: (filters: ListFilters) => void;
  readonly query: string;
  readonly onQuery: (query: string) => void;
  readonly searchRef: Ref<HTMLInputElement>;
}) {
  const { filters } = props;
  const status = filters.is_closed === undefined ? 'all' : filters.is_closed ? 'closed' : 'open';
  return (
    <div class="filters">
      <input
        ref={props.searchRef}
        type="search"
        class="search"
        aria-label="Search conversations"
        aria-keyshortcuts="/"
        placeholder="Search (/)"
        value={props.query}
        onInput={(event) => props.onQuery(event.currentTarget.value)}
      />
      <label>
        Show{' '}
        <select
          value={filters.archived ? 'archived' : 'inbox'}
          onChange={(event) => {
            const { archived: _, ...rest } = filters;
            props.onChange(event.currentTarget.value === 'archived' ? { ...rest, archived: true } : rest);
          }}
        >
          <option value="inbox">Inbox</option>
          <option value="archived">Archived</option>
        </select>
      </label>
      {props.role.types.length > 0 ? (
        <label>
          Type{' '}
          <select
            value={filters.conversation_type ?? ''}
            onChange={(event) => {
              const value = event.currentTarget.value;
              const { conversation_type: _, ...rest } = filters;
              props.onChange(value ? { ...rest, conversation_type: value } : rest);
            }}
          >
            <option value="">All</option>
            {props.role.types.map((type) => (
              <option key={type.value} value={type.value}>
                {type.label}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {props.role.preset === 'care-team' ? null : (
        <label>
          Status{' '}
          <select
            value={status}
            onChange={(event) => {
              const value = event.currentTarget.value;
              const { is_closed: _, ...rest } = filters;
              props.onChange(value === 'all' ? rest : { ...rest, is_closed: value === 'closed' });
            }}
          >
            <option value="all">All</option>
            <option value="open">Open</option>
            <option value="closed">Closed</option>
          </select>
        </label>
      )}
    </div>
  );
}
