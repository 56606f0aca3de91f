import { careTeamPreset } from './care-team-policy.js';
import { communityPreset } from './community-policy.js';
import { marketplacePreset } from './marketplace-policy.js';
import type { Preset } from './preset.js';

export const PRESET_NAMES = ['marketplace', 'care-team', 'community'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Every preset, by name (`PARLEY_PRESET`). */
export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  marketplace: marketplacePreset,
  'care-team': careTeamPreset,
  community: communityPreset,
};

/**
 * The preset of that name.
 *
 * @example
 * ```ts
 * presetByName('care-team').policy.mayEver('user', 'start');
 * ```
 */
export function presetByName(name: PresetName): Preset {
  return PRESETS[name];
}
