export const PACKAGE_NAME = "@peftjs/eva";
