import type { ContentModerator, ModerationVerdict, WordListSettings } from '@parley/messaging-core';
import {
  asteriskCensorStrategy,
  DataSet,
  englishDataset,
  englishRecommendedTransformers,
  type MatchPayload,
  parseRawPattern,
  RegExpMatcher,
  TextCensor,
  toAsciiLowerCaseTransformer,
} from 'obscenity';

/** How many tenants' matchers are kept (each is built from the dataset plus the tenant's terms). */
const CACHED_MATCHERS = 256;

// Characters with a meaning in obscenity's pattern syntax, escaped in tenant-written terms.
const PATTERN_SYNTAX = /[[\]?\\|]/g;

interface Matchers {
  /** The dataset minus the allowed terms, with the recommended (leetspeak, repeats) transformers. */
  readonly builtIn: RegExpMatcher;
  /** The tenant's own terms, as written (case folded only): null when none. */
  readonly added: RegExpMatcher | null;
}

function matchersFor(config: Pick<WordListSettings, 'addedTerms' | 'allowedTerms'>): Matchers {
  const allowed = new Set(config.allowedTerms.map((t) => t.trim().toLowerCase()).filter((t) => t !== ''));
  const data = new DataSet<{ originalWord: string }>()
    .addAll(englishDataset)
    // An allowed term that is one of the dataset's words drops that word altogether.
    .removePhrasesIf((phrase) => allowed.has(phrase.metadata?.originalWord ?? ''));
  const built = data.build();
  const builtIn = new RegExpMatcher({
    ...built,
    // Allowed phrases (e.g. "Scunthorpe") mask the matches inside them.
    whitelistedTerms: [...(built.whitelistedTerms ?? []), ...allowed],
    ...englishRecommendedTransformers,
  });
  // The tenant's terms get no leetspeak or repeat folding: "knockoff" must match as written.
  const terms = [...new Set(config.addedTerms.map((t) => t.trim().toLowerCase()))].filter(
    (t) => t !== '' && !allowed.has(t),
  );
  const added =
    terms.length === 0
      ? null
      : new RegExpMatcher({
          // `|…|`: a term matches on word boundaries only ("ass" never in "class").
          blacklistedTerms: terms.map((t, id) => ({
            id,
            pattern: parseRawPattern(`|${t.replace(PATTERN_SYNTAX, '\\$&')}|`),
          })),
          whitelistedTerms: [...allowed],
          blacklistMatcherTransformers: [toAsciiLowerCaseTransformer()],
          whitelistMatcherTransformers: [toAsciiLowerCaseTransformer()],
        });
  return { builtIn, added };
}

/**
 * The built-in word-list moderator: the `obscenity` library's English dataset (with its
 * word-boundary patterns, leetspeak and look-alike characters resolved), plus each tenant's
 * `addedTerms` (matched on word boundaries) minus its `allowedTerms`. On a match it answers the
 * tenant's action: `rewrite` masks the words with asterisks, the others reject, flag or hold with
 * the reason "inappropriate language". Pure CPU work, well within a time limit; matchers are
 * cached per configuration (at most 256).
 *
 * @example
 * ```ts
 * const chain = composeModerators([
 *   { moderator: new ObscenityWordListModerator(), timeoutMs: 100, onFailure: 'fail_open' },
 * ]);
 * ```
 */
export class ObscenityWordListModerator implements ContentModerator {
  readonly name = 'word_list';
  readonly #matchers = new Map<string, Matchers>();
  readonly #censor = new TextCensor().setStrategy(asteriskCensorStrategy());

  async moderate({
    content,
    settings,
  }: {
    content: string;
    settings: { wordList: WordListSettings };
  }): Promise<ModerationVerdict> {
    const config = settings.wordList;
    if (!config.enabled) return { action: 'allow' };
    const { builtIn, added } = this.#matchersOf(config);
    const matches: MatchPayload[] = [
      ...builtIn.getAllMatches(content),
      ...(added?.getAllMatches(content) ?? []),
    ];
    matches.sort((a, b) => a.startIndex - b.startIndex || a.endIndex - b.endIndex);
    if (matches.length === 0) return { action: 'allow' };
    const reason = 'inappropriate language';
    if (config.action !== 'rewrite') return { action: config.action, reason };
    return { action: 'rewrite', content: this.#censor.applyTo(content, matches), reason };
  }

  #matchersOf(config: WordListSettings): Matchers {
    const key = JSON.stringify([config.addedTerms, config.allowedTerms]);
    let matcher = this.#matchers.get(key);
    if (matcher === undefined) {
      matcher = matchersFor(config);
      if (this.#matchers.size >= CACHED_MATCHERS) {
        const oldest = this.#matchers.keys().next().value;
        if (oldest !== undefined) this.#matchers.delete(oldest);
      }
      this.#matchers.set(key, matcher);
    }
    return matcher;
  }
}
