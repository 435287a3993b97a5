import { name, version } from '../../../package.json';

/** Some Cloud PC endpoints reject requests without a User-Agent; name the package and version. */
export const USER_AGENT = `${name}/${version}`;
