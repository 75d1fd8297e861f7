/** Where the page loads Layercode's browser SDK from, relative to the page (voice mode only). */
export const PAGE_SDK_PATH = "/sdk/layercode-js-sdk.js";
