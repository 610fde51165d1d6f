// The experiment cards, in the page's order (the order of EXPERIMENT_IDS).
import trainability from "./trainability.js";
import lesions from "./lesions.js";
import isometry from "./isometry.js";
import shattered from "./shattered.js";
import rank from "./rank.js";
import tat from "./tat.js";
import degradation from "./degradation.js";
import amplification from "./amplification.js";

export const CARDS = [trainability, lesions, isometry, shattered, rank, tat, degradation, amplification];
