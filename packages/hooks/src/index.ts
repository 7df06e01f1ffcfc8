export const PACKAGE_NAME = "@peftjs/hooks";
