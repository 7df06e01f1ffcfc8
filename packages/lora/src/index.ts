export const PACKAGE_NAME = "@peftjs/lora";
