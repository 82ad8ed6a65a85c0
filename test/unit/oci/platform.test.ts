import { describe, expect, it } from 'vitest';
import { loadFunctionConfig } from '../../../src/config.js';
import { ociFunctionsEvidence } from '../../../src/oci/platform.js';

const base = { b2cservice_hostname: 'site.example.com', b2cservice_username: 'u', b2cservice_password: 'p' };

describe('ociFunctionsEvidence', () => {
  it('names the variable that shows OCI Functions', () => {
    expect(ociFunctionsEvidence({ OCI_RESOURCE_PRINCIPAL_VERSION: '2.2' })).toBe(
      'OCI_RESOURCE_PRINCIPAL_VERSION is set',
    );
    expect(ociFunctionsEvidence({ FN_FN_ID: 'ocid1.fnfunc.oc1.iad.aaaaaaaab3zsfqtkoyxtyyyc' })).toBe(
      'FN_FN_ID is an OCI Functions OCID',
    );
    expect(ociFunctionsEvidence({ FN_APP_ID: 'ocid1.fnapp.oc1.eu-frankfurt-1.aaaaaaaaq' })).toBe(
      'FN_APP_ID is an OCI Functions OCID',
    );
  });
  it("sees none in the local agent, the notes' test ids, or a plain process", () => {
    expect(
      ociFunctionsEvidence({ FN_FN_ID: 'ocid1.fnfunc.oc1..local', FN_APP_ID: 'ocid1.fnapp.oc1..local' }),
    ).toBeUndefined();
    expect(ociFunctionsEvidence({ FN_FN_ID: 'ocid1.fnfunc.test', FN_APP_ID: 'ocid1.fnapp.test' })).toBeUndefined();
    expect(ociFunctionsEvidence({ OCI_RESOURCE_PRINCIPAL_VERSION: '' })).toBeUndefined();
    expect(ociFunctionsEvidence({})).toBeUndefined();
  });
});

describe('loadFunctionConfig', () => {
  const onOci = { FN_FN_ID: 'ocid1.fnfunc.oc1.iad.aaaaaaaab3zsfqtkoyxtyyyc' };
  it('refuses an unset or blank run_journal on OCI Functions', () => {
    expect(() => loadFunctionConfig({ ...base, ...onOci })).toThrow(
      /run_journal is required on OCI Functions \(FN_FN_ID is an OCI Functions OCID\)/,
    );
    expect(() => loadFunctionConfig({ ...base, ...onOci, run_journal: '  ' })).toThrow(/run_journal must be memory/);
  });
  it('accepts a journal chosen explicitly, memory included, and the default off OCI', () => {
    expect(loadFunctionConfig({ ...base, ...onOci, run_journal: 'memory' }).journal.run_journal).toEqual({
      kind: 'memory',
    });
    expect(
      loadFunctionConfig({ ...base, ...onOci, run_journal: 'oci-os://ns/bucket/runs' }).journal.run_journal,
    ).toMatchObject({ kind: 'oci-os', bucket: 'bucket' });
    expect(loadFunctionConfig(base).journal.run_journal).toEqual({ kind: 'memory' });
  });
});
