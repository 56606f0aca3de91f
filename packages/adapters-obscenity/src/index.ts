export { ObscenityWordListModerator } from './obscenity-word-list-moderator.js';
