#include "store/client.hpp"

#include "store/encoding.hpp"
#include "store/error.hpp"

namespace mfigw::store {

std::vector<FieldProblem> clientProblems(const Client& client) {
  FieldChecks check;
  check.id("cid", client.cid, kMaxIdBytes);
  check.msisdn("msisdn", client.msisdn, /*optional=*/true);
  check.text("name", client.shortName, 0, kMaxClientNameBytes);
  check.language("lang", client.language);
  check.bits("consent", client.consent, kKnownConsentBits);
  if (!client.groupId.empty()) {
    check.id("group", client.groupId, kMaxIdBytes);
  }
  return check.take();
}

// v1: version u8, cid str, msisdn str, name str, lang str, consent u8, group str,
//     branch u16, ver u64.
std::string ClientCodec::encodeValue(const Client& client) {
  throwIfInvalid("client", client.cid, clientProblems(client));
  return Encoder(32 + client.cid.size() + client.msisdn.size() + client.shortName.size() +
                 client.groupId.size())
      .version(kVersion)
      .str(client.cid)
      .str(client.msisdn)
      .str(client.shortName)
      .str(client.language)
      .u8(client.consent)
      .str(client.groupId)
      .u16(client.homeBranch)
      .u64(client.ver)
      .take();
}

Client ClientCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  Client client;
  client.cid = in.str();
  client.msisdn = in.str();
  client.shortName = in.str();
  client.language = in.str();
  client.consent = in.u8();
  if ((client.consent & ~kKnownConsentBits) != 0) {
    throw DecodeError("client record: unknown consent bits " + std::to_string(client.consent));
  }
  client.groupId = in.str();
  client.homeBranch = in.u16();
  client.ver = in.u64();
  in.expectEnd();
  return client;
}

// v1: version u8, cid str.
std::string MsisdnIndexCodec::encodeValue(const std::string& cid) {
  return Encoder(2 + cid.size()).version(kVersion).str(cid).take();
}

std::string MsisdnIndexCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  std::string cid = in.str();
  in.expectEnd();
  return cid;
}

}  // namespace mfigw::store
