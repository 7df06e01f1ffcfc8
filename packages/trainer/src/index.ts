export const PACKAGE_NAME = "@peftjs/trainer";
