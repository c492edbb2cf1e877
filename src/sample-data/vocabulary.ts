/**
 * Word lists for synthetic song names and titles. Each genre has its own words, neighbouring genres
 * share some, and every name also draws from its family's and the common pool, so the text feature
 * hints at the genre without giving it away. Tag probabilities mimic the reference's frequent tokens
 * ("Original Mix", "feat.", "prod.") that a 10-word TF-IDF picks up.
 */
import { type Genre } from './schema';

export const GENRE_WORDS: Readonly<Record<Genre, readonly string[]>> = {
  'Dark Trap': ['demon', 'shadow', 'grave', 'reaper', 'curse', 'blood', 'void', 'phantom', 'smoke'],
  'Underground Rap': ['hustle', 'block', 'grind', 'street', 'smoke', 'cash', 'basement', 'drip', 'ghost'],
  'Trap Metal': ['rage', 'scream', 'blood', 'chaos', 'riot', 'demon', 'burn', 'skull', 'kill'],
  Emo: ['tears', 'broken', 'goodbye', 'lonely', 'ghost', 'sad', 'rain', 'heart', 'pills'],
  Rap: ['flow', 'crown', 'king', 'legacy', 'hustle', 'verse', 'grind', 'boss', 'money'],
  RnB: ['baby', 'slow', 'touch', 'sweet', 'velvet', 'honey', 'forever', 'love', 'body'],
  Pop: ['summer', 'sunshine', 'party', 'dance', 'forever', 'sweet', 'stars', 'kiss', 'love'],
  Hiphop: ['cypher', 'beat', 'crew', 'block', 'vibe', 'classic', 'street', 'soul', 'money'],
  techhouse: ['groove', 'house', 'funky', 'jack', 'bounce', 'shake', 'disco', 'vibe', 'body'],
  techno: ['machine', 'warehouse', 'pulse', 'system', 'acid', 'industrial', 'void', 'minimal', 'signal'],
  trance: ['euphoria', 'angel', 'horizon', 'eternal', 'sky', 'heaven', 'light', 'dream', 'forever'],
  psytrance: ['shaman', 'cosmic', 'psychedelic', 'portal', 'mantra', 'dimension', 'alien', 'acid', 'signal'],
  trap: ['bass', 'drop', 'turn', 'bounce', 'savage', 'wobble', 'boss', 'lit', 'rage'],
  dnb: ['jungle', 'rollers', 'amen', 'liquid', 'break', 'sub', 'pressure', 'bass', 'pulse'],
  hardstyle: ['kick', 'warrior', 'anthem', 'rage', 'power', 'unleashed', 'euphoria', 'hard', 'legacy'],
};

export const FAMILY_WORDS = {
  urban: ['money', 'real', 'gang', 'life', 'cold', 'city', 'lost', 'night', 'pain', 'wave'],
  electronic: ['night', 'light', 'energy', 'sound', 'deep', 'rise', 'motion', 'control', 'fire', 'wave'],
} as const;

export const COMMON_WORDS = [
  'night',
  'dream',
  'love',
  'fire',
  'time',
  'world',
  'home',
  'alive',
  'free',
  'away',
];

/** Invented artist names for "(feat. …)" and "(prod. …)" tags. */
export const ARTISTS = [
  'Lil Nova',
  'Young Saint',
  'MC Vektor',
  'Kid Ember',
  'DJ Halo',
  'Sly Moth',
  'Yung Cipher',
  'Nyx',
  'Big Orbit',
  'Juno Blue',
  'Razor Jay',
  'Mono K',
];

export interface NameTags {
  /** "(feat. X)" */
  feat: number;
  /** "(prod. X)" */
  prod: number;
  /** "(Original Mix)" */
  original: number;
  /** "(Extended Mix)" */
  extended: number;
  /** "(Radio Edit)" */
  radio: number;
  /** "(X Remix)" */
  remix: number;
  /** " Freestyle" */
  freestyle: number;
}

const NO_TAGS: NameTags = { feat: 0, prod: 0, original: 0, extended: 0, radio: 0, remix: 0, freestyle: 0 };

/** Probability of each tag on a genre's names; at most one tag is drawn per name. */
export const GENRE_TAGS: Readonly<Record<Genre, NameTags>> = {
  'Dark Trap': { ...NO_TAGS, feat: 0.08, prod: 0.2, remix: 0.04, freestyle: 0.02 },
  'Underground Rap': { ...NO_TAGS, feat: 0.1, prod: 0.25, remix: 0.04, freestyle: 0.08 },
  'Trap Metal': { ...NO_TAGS, feat: 0.08, prod: 0.15, remix: 0.05, freestyle: 0.02 },
  Emo: { ...NO_TAGS, feat: 0.1, prod: 0.08, remix: 0.04 },
  Rap: { ...NO_TAGS, feat: 0.2, prod: 0.1, remix: 0.04, freestyle: 0.08 },
  RnB: { ...NO_TAGS, feat: 0.25, prod: 0.05, remix: 0.06 },
  Pop: { ...NO_TAGS, feat: 0.25, prod: 0.03, remix: 0.08 },
  Hiphop: { ...NO_TAGS, feat: 0.2, prod: 0.06, remix: 0.05, freestyle: 0.06 },
  techhouse: { ...NO_TAGS, original: 0.5, extended: 0.05, radio: 0.03, remix: 0.12 },
  techno: { ...NO_TAGS, original: 0.45, extended: 0.05, radio: 0.02, remix: 0.15 },
  trance: { ...NO_TAGS, original: 0.25, extended: 0.3, radio: 0.1, remix: 0.1 },
  psytrance: { ...NO_TAGS, original: 0.4, extended: 0.08, radio: 0.02, remix: 0.12 },
  trap: { ...NO_TAGS, feat: 0.05, original: 0.08, radio: 0.05, remix: 0.3 },
  dnb: { ...NO_TAGS, feat: 0.05, original: 0.25, extended: 0.05, radio: 0.05, remix: 0.15 },
  hardstyle: { ...NO_TAGS, original: 0.12, extended: 0.25, radio: 0.1, remix: 0.1 },
};
