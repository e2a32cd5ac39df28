// The dependency-free core every library may use: domain errors, the clock, durations, an abortable sleep, DNS-1123 names, option parsing.
export { DomainError, ForbiddenError, UnauthenticatedError, ValidationError, type ErrorKind } from './errors';
export { systemClock, type Clock } from './clock';
export { DNS_LABEL, DNS_LABEL_MAX_LENGTH, checkDnsLabel } from './names';
export { sleep } from './sleep';
export { canonicalGoDuration, formatGoDuration, parseDuration, parseGoDuration } from './duration';
export { OptionsError, parseOptions, type Command, type CrossCheck, type OptionSpec, type OptionType, type OptionsOf, type ParsedOptions } from './options';
