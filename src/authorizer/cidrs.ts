/** The client-address gate: a list of IPv4/IPv6 CIDRs, matched with node's BlockList (IPv4-mapped IPv6 included). */
import { BlockList, isIP } from 'node:net';

export interface AddressAllowList {
  /** The CIDRs as configured, normalised (`10.0.0.0/8,2001:db8::/32`). */
  readonly cidrs: readonly string[];
  /** True when `address` is a single IP address inside one of the CIDRs. */
  allows(address: string): boolean;
}

/** `10.0.0.0/8, 2001:db8::/32, 203.0.113.7` → an allow list, or a message naming the bad entry. */
export function parseCidrs(value: string): AddressAllowList | string {
  const list = new BlockList();
  const cidrs: string[] = [];
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) return 'must list at least one CIDR';
  for (const entry of entries) {
    const [address = '', prefixText, ...rest] = entry.split('/');
    const version = isIP(address);
    const max = version === 6 ? 128 : 32;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (
      version === 0 ||
      rest.length > 0 ||
      (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) ||
      prefix > max
    ) {
      return `${JSON.stringify(entry)} is not an IPv4 or IPv6 CIDR (e.g. 203.0.113.0/24, 2001:db8::/32)`;
    }
    list.addSubnet(address, prefix, version === 6 ? 'ipv6' : 'ipv4');
    cidrs.push(`${address}/${prefix}`);
  }
  return {
    cidrs,
    allows(address) {
      const version = isIP(address);
      return version !== 0 && list.check(address, version === 6 ? 'ipv6' : 'ipv4');
    },
  };
}
