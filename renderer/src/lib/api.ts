// The renderer's one API client, chosen once.
import { connectApi } from './transport.ts';

export const api = connectApi();
