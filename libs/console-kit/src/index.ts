import './base.css';

export { ApiError, callApi, callUrl, messageOf, type CallOptions } from './api';
export { countdown, formatDuration, formatTime, since } from './format';
export { followEvents, type LiveOptions, type LiveStatus } from './live';
export { fieldOf, sessionTokenStore, type ConsoleConfig, type Session, type TokenStore } from './session';
export { ConfirmDialog, Field, Notice, Shell, Table, TokenControl, describedBy, useHashRoute, useNow, type NavLink } from './ui';
export { EventParser, readEvents, type StreamEnd, type StreamEvent } from './stream';
