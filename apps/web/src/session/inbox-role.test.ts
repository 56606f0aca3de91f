import { describe, expect, it } from 'vitest';
import { inboxRoleOf, presetOfClaims } from './inbox-role.js';

describe('presetOfClaims', () => {
  it('tells the preset from the role, and leaves a tenantless admin to the API', () => {
    expect(presetOfClaims('store', 's1')).toBe('marketplace');
    expect(presetOfClaims('customer', 's1')).toBe('marketplace');
    expect(presetOfClaims('clinician', null)).toBe('care-team');
    expect(presetOfClaims('user', null)).toBe('care-team');
    expect(presetOfClaims('mentor', 'north-high')).toBe('community');
    expect(presetOfClaims('admin', 'north-high')).toBe('community');
    expect(presetOfClaims('admin', null)).toBe('undecided');
    expect(presetOfClaims('service', null)).toBeNull();
  });
});

describe('inboxRoleOf', () => {
  it('offers what the community policy allows, per conversation', () => {
    const mentor = inboxRoleOf('mentor', 'community');
    const admin = inboxRoleOf('admin', 'community');
    if (!mentor || !admin) throw new Error('roles missing');
    const group = (memberRole: string | null) => ({ conversationType: 'group', memberRole });
    const support = (memberRole: string | null) => ({ conversationType: 'support', memberRole });
    expect(mentor.mayManageMembers(group('admin'))).toBe(true);
    expect(mentor.mayManageMembers(group('member'))).toBe(false);
    expect(mentor.mayClose(group('member'))).toBe(false);
    expect(mentor.mayLeave(group('member'))).toBe(true);
    expect(mentor.canRequestSupport).toBe(true);
    expect(admin.canRequestSupport).toBe(false);
    // The admins answer support requests as a team, without having been added.
    expect(admin.mayReply(support(null))).toBe(true);
    expect(admin.mayClose(support(null))).toBe(true);
    expect(admin.mayReply(group(null))).toBe(false);
    expect(mentor.mayClose(support('requester'))).toBe(true);
    expect(admin.mayClose({ conversationType: 'direct', memberRole: 'member' })).toBe(true);
    expect(mentor.mayClose({ conversationType: 'direct', memberRole: 'member' })).toBe(false);
  });

  it('groups the care-team by counterpart, never closes, and lets a monitoring admin only read', () => {
    const admin = inboxRoleOf('admin', 'care-team');
    if (!admin) throw new Error('role missing');
    expect(admin.groupByCounterpart).toBe(true);
    expect(admin.mayClose({ conversationType: 'direct', memberRole: 'member' })).toBe(false);
    expect(admin.mayReply({ conversationType: 'direct', memberRole: null })).toBe(false);
    expect(admin.mayReply({ conversationType: 'direct', memberRole: 'member' })).toBe(true);
    expect(inboxRoleOf('admin')?.label).toBe('Marketplace admin');
    expect(inboxRoleOf('student')).toBeNull();
  });

  it('offers "New conversation" with the kinds of people each role may start one with', () => {
    const kinds = (role: string, preset: 'marketplace' | 'care-team' | 'community') => {
      const found = inboxRoleOf(role, preset);
      if (!found) throw new Error(`${role} missing`);
      return {
        compose: found.canCompose,
        kinds: found.recipients.map((r) => `${r.type}/${r.conversationType}`),
        group: found.group,
      };
    };
    const direct = (...types: string[]) => types.map((t) => `${t}/direct`);
    // Care-team: a user only replies to a clinician, so clinicians are not offered to users.
    expect(kinds('user', 'care-team')).toEqual({
      compose: true,
      kinds: direct('therapist', 'user', 'admin'),
      group: null,
    });
    for (const role of ['therapist', 'clinician', 'admin'])
      expect(kinds(role, 'care-team').kinds).toEqual(direct('therapist', 'clinician', 'user', 'admin'));
    // Community: everyone writes to anyone of their community; mentors and admins also start groups.
    expect(kinds('student', 'community')).toEqual({
      compose: true,
      kinds: direct('student', 'mentor', 'admin'),
      group: null,
    });
    for (const role of ['mentor', 'admin'])
      expect(kinds(role, 'community').group).toEqual({ conversationType: 'group', minOthers: 2 });
    expect(kinds('store', 'marketplace').kinds).toEqual(['customer/store_customer']);
    expect(kinds('customer', 'marketplace')).toEqual({ compose: false, kinds: [], group: null });
  });
});
