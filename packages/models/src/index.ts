export const PACKAGE_NAME = "@peftjs/models";
