// Review mode and the external reviewer's page (static/dist/review.js): htmx does the work;
// this lets refused thread forms show their message and keeps focus sensible after a swap.
import { allowErrorSwaps } from "./editor/comments.js";

allowErrorSwaps();
