export * from './units';
export * from './duration';
export * from './emission-factors';
export * from './hour-factors';
export * from './yearly-average';
