export * from './assertion';
export * from './pki';
export * from './server';
export * from './trust';
