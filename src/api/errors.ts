import type { Static } from '@sinclair/typebox';
import type { FastifyError } from 'fastify';
import type { ErrorBody } from './schemas.js';

export function errorBody(code: string, message: string): Static<typeof ErrorBody> {
  return { error: { code, message } };
}

/**
 * A validation failure as one message naming the field: `querystring/limit must be <= 500`,
 * `querystring/sort is not a known parameter`, `body/created_by is required`.
 */
export function validationMessage(err: FastifyError): string {
  const where = err.validationContext ?? 'request';
  const parts = (err.validation ?? []).map((v) => {
    const params = v.params;
    const path = v.instancePath.replace(/^\//, '');
    if (v.keyword === 'additionalProperties' && typeof params['additionalProperty'] === 'string') return `${where}/${params['additionalProperty']} is not a known parameter`;
    if (v.keyword === 'required' && typeof params['missingProperty'] === 'string') return `${where}/${params['missingProperty']} is required`;
    return `${where}${path === '' ? '' : '/' + path} ${v.message ?? 'is invalid'}`;
  });
  return parts.length > 0 ? [...new Set(parts)].join('; ') : err.message;
}
