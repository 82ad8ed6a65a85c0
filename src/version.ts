/** The release, as `package.json` says (a unit test keeps them equal): `service.version` on every span. */
export const VERSION = '0.1.0';
